// The connection indicator in the top bar.

import type { ConnectionStatus } from '@roomcast/client';

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  disconnected: 'Disconnected',
};

export class ConnIndicator {
  private readonly root: HTMLElement;
  private readonly label: HTMLElement;

  constructor(root: HTMLElement, label: HTMLElement) {
    this.root = root;
    this.label = label;
  }

  set(status: ConnectionStatus, reason?: string): void {
    this.root.dataset['status'] = status;
    this.label.textContent = LABELS[status];
    this.root.title = reason ? `${LABELS[status]} (${reason})` : LABELS[status];
  }
}
