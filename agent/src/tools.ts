import { calculator } from './tools/calculator.ts';
import { currentTimeTool } from './tools/current-time.ts';
import { listNotes, saveNote } from './tools/notes.ts';

/**
 * Every tool the agent may call. Adding a tool: write `tools/<name>.ts` with `defineTool` (see
 * docs/agent.md, "Adding a tool"), then import it and list it here.
 */
export const tools = [calculator, currentTimeTool, saveNote, listNotes];
