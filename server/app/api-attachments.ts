/**
 * The REST API's files: a conversation's attachments listed and downloaded, and uploads by the key's agent to be
 * sent with a message (POST …/messages with attachmentIds). The checks are the console's: the conversation must be
 * one the agent may see, an upload goes through AttachmentService (size, type by the bytes, name) and the same
 * per-uploader rate limit.
 */
import type { ConversationAttachment } from '../contract/api-v1.ts';
import type { AttachmentDTO, ConversationDTO } from '../contract/dto.ts';
import { actingAgent, requireScope, type ApiPrincipal } from './api-keys.ts';
import type { AttachmentLinks, AttachmentService } from './attachments.ts';
import { nameForType } from './attachments.ts';
import { notFound } from './errors.ts';
import type { Limits } from './limits.ts';
import type { Store, StoredAttachment } from './ports.ts';
import type { Routing } from './routing-port.ts';
import type { Visibility } from './visibility.ts';

export class ApiAttachments {
  constructor(
    private readonly store: Store,
    private readonly routing: Routing,
    private readonly visibility: Visibility,
    private readonly attachments: AttachmentService,
    private readonly links: AttachmentLinks,
    private readonly limits: Limits,
  ) {}

  async list(key: ApiPrincipal, conversationId: string): Promise<ConversationAttachment[]> {
    requireScope(key, 'conversations:read');
    await this.visible(key, conversationId);
    return (await this.store.attachments.listSent(conversationId)).map((file) => ({
      id: file.id,
      fileName: nameForType(file.fileName, file.contentType),
      contentType: file.contentType,
      size: file.size,
      image: file.contentType.startsWith('image/'),
      url: this.links.url(file.id),
      messageId: file.messageId,
      uploaderKind: file.uploaderKind,
      uploaderId: file.uploaderId,
      createdAt: file.createdAt.toISOString(),
    }));
  }

  /** A file sent in this conversation; an unsent upload, or another conversation's file, is NOT_FOUND. */
  async open(key: ApiPrincipal, conversationId: string, attachmentId: string): Promise<StoredAttachment> {
    requireScope(key, 'conversations:read');
    await this.visible(key, conversationId);
    const file = await this.store.attachments.findById(attachmentId);
    if (!file || file.conversationId !== conversationId || file.messageId === null) throw notFound('Attachment');
    return { ...file, fileName: nameForType(file.fileName, file.contentType) };
  }

  /** Settled before the body is read: the scope, the conversation, and the agent's upload rate limit. */
  async admitUpload(key: ApiPrincipal, conversationId: string): Promise<ConversationDTO> {
    requireScope(key, 'conversations:write');
    const conversation = await this.visible(key, conversationId);
    await this.limits.take('upload', key.agentId);
    return conversation;
  }

  upload(key: ApiPrincipal, conversation: ConversationDTO, file: { fileName: string; data: Uint8Array }): Promise<AttachmentDTO> {
    return this.attachments.upload({ kind: 'agent', agentId: key.agentId, siteId: conversation.siteId }, { ...file, conversationId: conversation.id });
  }

  /** The conversation, if within the key's site and one its agent may see; otherwise NOT_FOUND, as if absent. */
  private async visible(key: ApiPrincipal, conversationId: string): Promise<ConversationDTO> {
    const [agent, conversation] = await Promise.all([actingAgent(this.routing, key), this.store.conversations.findById(conversationId)]);
    const reachable = conversation && (key.siteId === null || conversation.siteId === key.siteId) && (await this.visibility.canSee(agent, conversation));
    if (!conversation || !reachable) throw notFound('Conversation');
    return conversation;
  }
}
