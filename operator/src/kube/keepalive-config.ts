/**
 * client-node 1.4 builds a new https.Agent for every API request, so every call pays a TCP and
 * TLS handshake. This KubeConfig hands every request one keep-alive agent per cluster instead
 * (same CA, client certificate and verification settings as the agent it replaces).
 */
import { Agent } from 'node:https';
import * as k8s from '@kubernetes/client-node';

export class KeepAliveKubeConfig extends k8s.KubeConfig {
  private shared: Agent | undefined;

  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (!(fresh instanceof Agent)) return; // plain HTTP or a proxy agent: leave it as it is
    this.shared ??= new Agent({ ...fresh.options, keepAlive: true, maxSockets: 64 });
    context.setAgent(this.shared);
  }
}
