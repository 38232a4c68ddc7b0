/**
 * An INT8 variant goes live only once calibrated on the station (issue 18): configured as model.dir, an uncalibrated
 * variant (the committed casting one) keeps the station from starting, saying what to do — model.dir is no way round
 * the calibration that activation asks for (src/engine/station/open-station.ts).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRunningEngines } from '../../helpers/engine';
import { ROOT } from '../../helpers/paths';
import { useTempDirs } from '../../helpers/temp-dir';

describe('an INT8 variant as the configured model', () => {
  const tempDir = useTempDirs();
  const engines = useRunningEngines();

  it('keeps the station from starting until it is calibrated here, saying how', async () => {
    const variant = join(ROOT, 'test', 'fixtures', 'models', 'casting-defect-int8');
    await expect(engines.start(tempDir(), { source: { kind: 'replay', fps: 5 }, sensors: { sources: [] } }, { modelDir: variant })).rejects.toThrow(
      /the configured model \(model\.dir .*casting-defect-int8\) .*needs calibration before it can go live.*point model\.dir at the float model, import this variant/,
    );
  }, 60_000);
});
