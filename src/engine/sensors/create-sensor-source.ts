/** The sensor sources the config names (paths already resolved). */
import type { SensorSourceConfig } from '../../shared/sensor-config';
import { CsvReplaySensorSource } from './csv-replay-sensor';
import { ModbusSensorSource } from './modbus-sensor';
import type { SensorSource } from './sensor-source';
import { SerialSensorSource } from './serial-sensor';
import { SimulatedMachineSource } from './simulated-machine-sensor';

export async function createSensorSource(config: SensorSourceConfig): Promise<SensorSource> {
  switch (config.kind) {
    case 'serial':
      return new SerialSensorSource(config);
    case 'modbus':
      return new ModbusSensorSource(config);
    case 'csv-replay':
      if (config.file === undefined) throw new Error(`sensor ${config.id}: no recording file`);
      return CsvReplaySensorSource.open({ ...config, file: config.file });
    case 'simulated':
      return new SimulatedMachineSource(config);
  }
}
