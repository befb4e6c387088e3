/**
 * DNS discovery: the A records of a headless Service name every ready pod; the port comes from
 * config (all members listen on the same one). Polled every refreshIntervalSeconds.
 */
import { promises as dns } from 'node:dns';
import { changeFilter, type DiscoveredAddress, type Discovery } from './types.js';

export type Resolve4 = (name: string) => Promise<string[]>;

export interface DnsDiscoveryOptions {
  dnsName: string;
  port: number;
  refreshIntervalMs: number;
  resolve?: Resolve4;
  onError?: (err: Error) => void;
}

export function dnsDiscovery(opts: DnsDiscoveryOptions): Discovery {
  const resolve = opts.resolve ?? ((name: string) => dns.resolve4(name));
  let timer: NodeJS.Timeout | undefined;
  return {
    start(onChange) {
      const report = changeFilter(onChange);
      const poll = async (): Promise<void> => {
        try {
          const ips = await resolve(opts.dnsName);
          report(ips.map((host): DiscoveredAddress => ({ host, port: opts.port })));
        } catch (err) {
          // NXDOMAIN while no pod is ready yet is normal: keep the last list and try again.
          opts.onError?.(err as Error);
        }
      };
      void poll();
      timer = setInterval(() => void poll(), opts.refreshIntervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
