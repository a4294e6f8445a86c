import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { END } from '@langchain/langgraph';
import { routeAfterChatbot } from '../src/graph.ts';

describe('graph routing', () => {
  it('goes to the tools when the model asked for one', () => {
    const ask = new AIMessage({
      content: '',
      tool_calls: [{ id: '1', name: 'calculator', args: { expression: '1+1' } }],
    });
    assert.equal(routeAfterChatbot({ messages: [new HumanMessage('q'), ask] }), 'tools');
  });

  it('ends when the model answered in text', () => {
    assert.equal(routeAfterChatbot({ messages: [new HumanMessage('q'), new AIMessage('It is 2.')] }), END);
  });
});
