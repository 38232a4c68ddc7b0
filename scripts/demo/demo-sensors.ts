/**
 * The demo sensor recording (resources/demo/sensors.csv): 30 s of the
 * simulated machine at 200 Hz, matching 300 frames at 10 fps, with bearing
 * wear setting in after 20 s. Deterministic.
 */
import { MachineSignal } from '../../src/engine/sensors/simulation/machine-signal';

export const DEMO_SENSOR_RATE_HZ = 200;
export const DEMO_SENSOR_SECONDS = 30;

export function demoSensorCsv(): string {
  const signal = new MachineSignal('linesight-demo-sensors-v1', DEMO_SENSOR_RATE_HZ, { bearingWear: { startS: 20, rampS: 10 } });
  const rows = ['timestamp_ms,vibration_g,temperature_c,humidity_pct'];
  for (let i = 0; i < DEMO_SENSOR_RATE_HZ * DEMO_SENSOR_SECONDS; i++) {
    const s = signal.next();
    rows.push(`${Math.round(s.tS * 1000)},${s.vibration_g.toFixed(4)},${s.temperature_c.toFixed(3)},${s.humidity_pct.toFixed(2)}`);
  }
  return rows.join('\n') + '\n';
}
