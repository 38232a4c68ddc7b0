/** The facts that make a figure mean something: which machine, which versions. */
import { availableParallelism, cpus, totalmem, release, platform, arch } from 'node:os';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { providersInBuild } from '../inference/session-factory';

export interface MachineFacts {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly onnxruntime: string;
  readonly sharp: string;
  readonly libvips: string;
  readonly providersInBuild: readonly string[];
}

export function machineFacts(): MachineFacts {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    onnxruntime: ort.env.versions.node ?? 'unknown',
    sharp: sharp.versions.sharp ?? 'unknown',
    libvips: sharp.versions.vips,
    providersInBuild: [...providersInBuild()],
  };
}
