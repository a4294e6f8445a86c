import { ToolMessage } from '@langchain/core/messages';
import { Command } from '@langchain/langgraph';
import { z } from 'zod';
import { ToolError, defineTool } from './define-tool.ts';

/**
 * `save_note` and `list_notes`: notes the user keeps during a session. They live in the graph's
 * `notes` channel, so they are the session's like its conversation: kept by the checkpointer with
 * it, and forgotten with it. Saving needs the user's approval — the demo of a tool that acts.
 */

export const NOTES_MAX = 20;
export const NOTE_MAX_CHARS = 500;

/** The part of the graph's state these tools read. */
interface NotesState {
  notes?: string[];
}

const notesOf = (state: unknown) => (state as NotesState | undefined)?.notes ?? [];

export const saveNote = defineTool(
  ({ text }, runtime) => {
    const notes = notesOf(runtime.state);
    if (notes.length >= NOTES_MAX)
      throw new ToolError(`This session already keeps ${NOTES_MAX} notes, the most it can.`);
    const result = new ToolMessage({
      tool_call_id: runtime.toolCallId,
      name: 'save_note',
      content: `Saved note ${notes.length + 1}: ${text}`,
    });
    return new Command({ update: { notes: [...notes, text], messages: [result] } });
  },
  {
    name: 'save_note',
    description:
      'Save a short note for the user, kept for this chat session. Use it when the user asks you to note or remember something.',
    schema: z.object({
      text: z.string().trim().min(1).max(NOTE_MAX_CHARS).describe('The note, in the user\'s words, e.g. "buy milk"'),
    }),
    needsApproval: true,
    approvalPrompt: ({ text }) => `Save the note "${text}"?`,
  },
);

export const listNotes = defineTool(
  (_input, runtime) => {
    const notes = notesOf(runtime.state);
    return notes.length === 0
      ? 'There are no notes in this session yet.'
      : notes.map((note, i) => `${i + 1}. ${note}`).join('\n');
  },
  {
    name: 'list_notes',
    description:
      'List the notes saved in this chat session, oldest first. Use it when the user asks what their notes are.',
    schema: z.object({}),
  },
);
