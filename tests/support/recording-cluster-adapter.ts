/** A Socket.IO cluster adapter with no Redis behind it: what it would write to the stream is kept in `published`. */
import type { Namespace } from 'socket.io';
import { ClusterAdapter, type ClusterMessage } from 'socket.io-adapter';

export class RecordingClusterAdapter extends ClusterAdapter {
  /** `write` answers each stream write, as Redis would with the entry's id. */
  constructor(
    namespace: Namespace,
    private readonly published: ClusterMessage[],
    private readonly write: () => Promise<string> = () => Promise.resolve('1-0'),
  ) {
    super(namespace);
  }

  protected doPublish(message: ClusterMessage) {
    this.published.push(message);
    return this.write();
  }

  protected doPublishResponse() {
    return Promise.resolve();
  }
}
