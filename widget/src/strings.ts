import { WIDGET_ERRORS } from '../../protocol/chat-errors.ts';

/** Every word the widget shows or says. Override any of them with the `strings` property. */
export const DEFAULT_STRINGS = {
  /** The header's title (also the `heading` attribute). */
  heading: 'Chat',
  /** The input's placeholder (also the `placeholder` attribute). */
  placeholder: 'Ask something…',
  inputLabel: 'Message',
  send: 'Send',
  stop: 'Stop',
  retry: 'Retry',
  newConversation: 'New conversation',
  openChat: 'Open chat',
  closeChat: 'Close chat',
  transcript: 'Conversation',
  /** Who said what, for screen readers. */
  you: 'You',
  assistant: 'Assistant',
  thinking: 'Thinking…',
  /** While a dropped stream is picked up again. */
  reconnecting: 'Reconnecting…',
  stopped: 'Stopped.',
  jumpToLatest: 'Jump to latest',
  copy: 'Copy',
  copied: 'Copied',
  image: 'Image',
  /** Above a message that could not be formatted and shows as plain text. */
  renderFailed: 'This message could not be formatted; it is shown as plain text.',
  toolRunning: 'running',
  /** A call the run paused on: for the user's approval, or while the page runs it. */
  toolWaiting: 'waiting',
  toolDone: 'done',
  toolFailed: 'failed',
  toolCancelled: 'stopped',
  toolArguments: 'Arguments',
  toolResult: 'Result',
  toolError: 'Error',
  /** The approval card's label, and what is announced when one appears. */
  approvalNeeded: 'Approval needed',
  /** The optional note of an approval or a rating. */
  comment: 'Comment (optional)',
  approve: 'Approve',
  deny: 'Deny',
  approved: 'Approved',
  denied: 'Declined',
  /** The label of a row of suggested messages. */
  suggestions: 'Suggestions',
  rateUp: 'Good answer',
  rateDown: 'Bad answer',
  /** Errors the widget describes itself; errors from the chat service come with their own words. */
  errorNetwork: WIDGET_ERRORS.network.message,
  errorStreamCut: WIDGET_ERRORS.stream_cut.message,
  errorBadContentType: WIDGET_ERRORS.bad_content_type.message,
  errorBadEvent: WIDGET_ERRORS.bad_event.message,
  /** `{status}` is replaced by the HTTP status. */
  errorHttp: 'The chat service answered {status}.',
  errorHeaders: WIDGET_ERRORS.headers.message,
  errorNoEndpoint: WIDGET_ERRORS.no_endpoint.message,
  errorUnknown: 'Something went wrong.',
};

export type AgentChatStrings = typeof DEFAULT_STRINGS;

/** The string describing each error code the widget itself raises. */
const ERROR_STRINGS: Record<keyof typeof WIDGET_ERRORS, keyof AgentChatStrings> = {
  network: 'errorNetwork',
  stream_cut: 'errorStreamCut',
  bad_content_type: 'errorBadContentType',
  bad_event: 'errorBadEvent',
  headers: 'errorHeaders',
  no_endpoint: 'errorNoEndpoint',
};

/** What to show for an error: the service's own message if it sent one, else ours. */
export function describeError(strings: AgentChatStrings, { code, message }: { code: string; message: string }): string {
  if (message) return message;
  const http = /^http_(\d+)$/.exec(code);
  if (http) return strings.errorHttp.replace('{status}', http[1]!);
  return strings[
    Object.hasOwn(ERROR_STRINGS, code) ? ERROR_STRINGS[code as keyof typeof ERROR_STRINGS] : 'errorUnknown'
  ];
}
