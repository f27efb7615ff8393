/** Every string the chat frame shows, in each language it speaks. */
import { translator, type Locale, type Translate } from '../shared/i18n.ts';

const en = {
  closeChat: 'Close chat',
  transcript: 'Conversation',
  message: 'Message',
  messagePlaceholder: 'Write a message…',
  send: 'Send',
  you: 'You',
  agent: 'Agent',
  sending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent',
  rateLimited: 'Not sent: too many messages. Wait a moment, then retry.',
  retry: 'Retry',
  reconnecting: 'Reconnecting…',
  unavailable: 'Chat is unavailable right now. Please try again later.',
  queuePosition: 'You are number {position} in the queue.',
  waitMinutes: 'Estimated wait: about {minutes} min.',
  waitUnderMinute: 'Estimated wait: under a minute.',
  noAgentOnline: 'No agent online — we’ll reply as soon as someone is back.',
  systemAssigned: '{name} joined the conversation',
  systemTransferred: 'Your conversation was transferred to {name}',
  systemUnassigned: 'Waiting for the next available agent',
  systemRequeued: 'Your agent had to leave; waiting for the next available agent',
  systemResolved: 'The conversation was closed',
};

export type FrameText = keyof typeof en;

const zhCN: Record<FrameText, string> = {
  closeChat: '关闭聊天',
  transcript: '对话',
  message: '消息',
  messagePlaceholder: '输入消息…',
  send: '发送',
  you: '您',
  agent: '客服',
  sending: '发送中…',
  sent: '已发送',
  failed: '未发送',
  rateLimited: '未发送：消息太多，请稍候再试。',
  retry: '重试',
  reconnecting: '正在重新连接…',
  unavailable: '聊天暂时不可用，请稍后再试。',
  queuePosition: '您在队列中排第 {position} 位。',
  waitMinutes: '预计等待约 {minutes} 分钟。',
  waitUnderMinute: '预计等待不到一分钟。',
  noAgentOnline: '暂无客服在线——有人回来后我们会尽快回复。',
  systemAssigned: '{name} 加入了对话',
  systemTransferred: '您的对话已转接给 {name}',
  systemUnassigned: '正在等待下一位客服',
  systemRequeued: '客服已离开，正在等待下一位客服',
  systemResolved: '对话已结束',
};

export const frameTranslator = (locale: Locale): Translate<FrameText> => translator({ en, 'zh-CN': zhCN }, locale);
