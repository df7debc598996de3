// The time a host answers through proxy_get_current_time_nanoseconds: the real clock, or one a
// test moves by hand (expiry without waiting). Share one clock between hosts modelling one Envoy.

export interface HostClock {
  /** Nanoseconds since the Unix epoch. */
  now(): bigint;
}

export const realClock: HostClock = { now: () => BigInt(Date.now()) * 1_000_000n };

export class ManualClock implements HostClock {
  constructor(private nanos: bigint = BigInt(Date.now()) * 1_000_000n) {}

  now(): bigint {
    return this.nanos;
  }

  advanceSeconds(seconds: number): void {
    this.nanos += BigInt(Math.round(seconds * 1e9));
  }
}
