import { describe, expect, it } from 'vitest';
import { findPort, listPorts } from '../../../src/engine/sensors/port-finder';

describe('finding a serial port again', () => {
  const ports = async () => [
    { path: '/dev/ttyUSB1', serialNumber: 'A9X3', vendorId: '0403', productId: '6001' },
    { path: '/dev/ttyACM0', label: 'usb-Arduino_SA_Uno_R3_85734323-if00', vendorId: undefined },
  ];

  it('by serial number or vendor id, whatever name it came back under', async () => {
    expect(await findPort({ match: { serialNumber: 'a9x3' } }, ports)).toBe('/dev/ttyUSB1');
    expect(await findPort({ match: { vendorId: '0403', productId: '6001' } }, ports)).toBe('/dev/ttyUSB1');
    // /dev/serial/by-id names carry the serial number when udev cannot be asked
    expect(await findPort({ match: { serialNumber: '85734323' } }, ports)).toBe('/dev/ttyACM0');
    expect(await findPort({ match: { serialNumber: 'nope' } }, ports)).toBeNull();
    expect(await findPort({ path: '/dev/ttyS0', match: { serialNumber: 'nope' } }, ports)).toBe('/dev/ttyS0');
    expect(await findPort({ path: '/dev/ttyS0' }, ports)).toBe('/dev/ttyS0');
  });

  it('lists ports without crashing where udevadm is missing', async () => {
    const list = await listPorts();
    expect(Array.isArray(list)).toBe(true);
  });
});
