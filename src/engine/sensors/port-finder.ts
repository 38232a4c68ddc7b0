/**
 * Finds a serial port again by its serial number or vendor id after it was
 * unplugged and came back under another name (/dev/ttyUSB0 → ttyUSB1).
 *
 * SerialPort.list() spawns udevadm on Linux and takes the whole process down
 * where udevadm is missing (docs/BACKGROUND.md), so it is only called where
 * udevadm exists; otherwise /dev/serial/by-id (whose names carry vendor and
 * serial number) is read instead.
 */
import { constants } from 'node:fs';
import { access, readdir, realpath } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { SerialPort } from 'serialport';
import type { SerialSensorConfig } from '../../shared/sensor-config';

export interface PortInfo {
  readonly path: string;
  readonly serialNumber?: string | undefined;
  readonly vendorId?: string | undefined;
  readonly productId?: string | undefined;
  /** Free text that names the device (by-id name, pnpId). */
  readonly label?: string | undefined;
}

async function onPath(program: string): Promise<boolean> {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    try {
      await access(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

async function byIdPorts(): Promise<PortInfo[]> {
  const dir = '/dev/serial/by-id';
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return Promise.all(names.map(async (name) => ({ path: await realpath(join(dir, name)), label: name })));
}

export async function listPorts(): Promise<PortInfo[]> {
  if (process.platform === 'linux' && !(await onPath('udevadm'))) return byIdPorts();
  try {
    return (await SerialPort.list()).map((p) => ({ path: p.path, serialNumber: p.serialNumber, vendorId: p.vendorId, productId: p.productId, label: p.pnpId }));
  } catch {
    return byIdPorts();
  }
}

function matches(port: PortInfo, match: NonNullable<SerialSensorConfig['match']>): boolean {
  const same = (want: string | undefined, have: string | undefined): boolean =>
    want === undefined || (have !== undefined && have.toLowerCase() === want.toLowerCase());
  const inLabel = (want: string | undefined): boolean => want === undefined || (port.label ?? '').toLowerCase().includes(want.toLowerCase());
  return (
    (same(match.serialNumber, port.serialNumber) || inLabel(match.serialNumber)) &&
    (same(match.vendorId, port.vendorId) || inLabel(match.vendorId)) &&
    (same(match.productId, port.productId) || inLabel(match.productId))
  );
}

/** The port to open: the configured path if no match is given, else the first port that matches. */
export async function findPort(config: Pick<SerialSensorConfig, 'path' | 'match'>, list: () => Promise<PortInfo[]> = listPorts): Promise<string | null> {
  if (!config.match) return config.path ?? null;
  const found = (await list()).find((p) => matches(p, config.match!));
  return found?.path ?? config.path ?? null;
}
