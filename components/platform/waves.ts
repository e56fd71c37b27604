// Sync waves that are really ordered: nothing of wave N is created before
// everything of wave N-1 on the same cluster exists and reports healthy.
import * as pulumi from "@pulumi/pulumi";

export type Wave = 0 | 1 | 2 | 3 | 4;

/**
 * Collects what each wave of one cluster created, in wave order. A wave's
 * dependencies are the previous non-empty wave's resources; since those
 * depended on the wave before them, every wave waits for all lower waves.
 */
export class WaveLedger {
  private readonly byWave = new Map<Wave, pulumi.Resource[]>();
  private highest: Wave = 0;

  constructor(readonly cluster: string) {}

  /** What a resource of `wave` must depend on. */
  dependenciesFor(wave: Wave): pulumi.Resource[] {
    for (let w = wave - 1; w >= 0; w--) {
      const items = this.byWave.get(w as Wave);
      if (items && items.length > 0) return [...items];
    }
    return [];
  }

  /** Records resources of `wave`; registering a lower wave after a higher one would break the order, so it throws. */
  add(wave: Wave, ...resources: pulumi.Resource[]): void {
    if (wave < this.highest) {
      throw new Error(`cluster ${this.cluster}: wave ${wave} registered after wave ${this.highest}; create waves in ascending order`);
    }
    this.highest = wave;
    this.byWave.set(wave, [...(this.byWave.get(wave) ?? []), ...resources]);
  }
}
