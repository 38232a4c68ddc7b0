/**
 * node-opcua, loaded only when the station serves OPC UA: the package and the
 * standard address space it builds take about half a second and tens of MB,
 * which a station without OPC UA should never pay. A dynamic import of a
 * package: tsx and vitest load it as it is, electron-vite's bundle leaves it
 * external (a dependency) and requires it there.
 */
import type * as NodeOpcua from 'node-opcua';

export type OpcUa = typeof NodeOpcua;

export const loadOpcUa = (): Promise<OpcUa> => import('node-opcua');
