// Container requests and limits, written the way charts take them.

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** requests cpu/memory, then limits cpu/memory, e.g. resources("10m", "32Mi", "200m", "128Mi"). */
export const resources = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string): Resources => ({
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});
