import { AIMessage, type BaseMessage, HumanMessage, type MessageContent, ToolMessage } from '@langchain/core/messages';
import { isPageToolResult, labelledForModel } from './page-tools.ts';

/**
 * What the model is shown of the stored conversation. Two things differ from what is stored:
 *
 * - a page tool's result is labelled as data from the page, not instructions (page-tools.ts);
 * - the turns alternate as Bedrock's Converse API demands ("A conversation must alternate between
 *   user and assistant roles"). The stored conversation can break that rule in three ways: a new
 *   question right after tool results (a call declined because the user moved on, or left
 *   unanswered by a stopped run), which Converse sends as two user turns; two user messages in a
 *   row, or two assistant messages, from a client's copy of the conversation. Consecutive messages
 *   of one role are merged, and a short assistant turn closes the results before the question.
 */

/** The assistant's turn between tool results and a new question, where it never answered. */
const UNANSWERED_TURN = '(This turn ended there.)';

const blocks = (content: MessageContent) =>
  typeof content === 'string' ? [{ type: 'text' as const, text: content }] : content;

function joined(a: MessageContent, b: MessageContent): MessageContent {
  return typeof a === 'string' && typeof b === 'string'
    ? `${a}\n\n${b}`
    : ([...blocks(a), ...blocks(b)] as MessageContent);
}

export function modelInput(messages: readonly BaseMessage[]): BaseMessage[] {
  const out: BaseMessage[] = [];
  for (const message of messages) {
    const previous = out.at(-1);
    if (HumanMessage.isInstance(message) && previous && HumanMessage.isInstance(previous)) {
      out[out.length - 1] = new HumanMessage({ id: previous.id, content: joined(previous.content, message.content) });
    } else if (
      AIMessage.isInstance(message) &&
      previous &&
      AIMessage.isInstance(previous) &&
      !previous.tool_calls?.length
    ) {
      out[out.length - 1] = new AIMessage({
        id: message.id,
        content: joined(previous.content, message.content),
        tool_calls: message.tool_calls,
      });
    } else {
      if (HumanMessage.isInstance(message) && previous && ToolMessage.isInstance(previous))
        out.push(new AIMessage(UNANSWERED_TURN));
      out.push(isPageToolResult(message) ? labelledForModel(message) : message);
    }
  }
  return out;
}
