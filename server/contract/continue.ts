/** "Continue anywhere": the page at /c/<token> (a link in an email) exchanges the token for the visitor's session. */
import type { VisitorSessionResponse, WidgetConfig } from './http.ts';

export interface ContinueRequest {
  token: string;
}

export interface ContinueResponse {
  session: VisitorSessionResponse;
  config: WidgetConfig;
  /** The conversation the link was made for: the page opens it. */
  conversationId: string;
}
