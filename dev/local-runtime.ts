/** The ARN of the agent runtime that the local AgentCore gateway serves (local mode only). */
export const LOCAL_RUNTIME_ARN = 'arn:aws:bedrock-agentcore:us-east-1:000000000000:runtime/agent_chat_local-0000000000';
