import type { Targets } from './targets.js';
import type { StepContext } from './step.js';
import type { DiagnosticsConfig, Probes } from './types.js';

/**
 * What every native run hands its steps (besides the runner's `outcome`): the configuration (or
 * null), the probes, the targets and one DNS lookup per host shared by all steps.
 */
export function stepContext(config: DiagnosticsConfig | null, targets: Targets, probes: Probes): Omit<StepContext, 'outcome'> {
  const addresses = new Map<string, Promise<string>>();
  const address = (host: string) => {
    let p = addresses.get(host);
    if (!p) {
      p = probes.lookup(host).then((list) => {
        if (!list[0]) throw new Error(`${host} has no IPv4 address`);
        return list[0];
      });
      addresses.set(host, p);
    }
    return p;
  };
  return { config, probes, targets, address };
}
