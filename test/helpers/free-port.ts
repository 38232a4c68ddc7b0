/** A TCP port free on 127.0.0.1 now: the bench harness's (src/tools/station-load/bench-harness.ts). */
export { freePort } from '../../src/tools/station-load/bench-harness';
