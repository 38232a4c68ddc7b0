/** The frame source the config names (its paths already resolved). */
import type { SourceConfig } from '../../shared/source-config';
import { FfmpegSource } from './ffmpeg-source';
import type { FrameSource } from './frame-source';
import { HotFolderSource } from './hot-folder-source';
import { MjpegSource } from './mjpeg-source';
import type { RawGeometry } from './raw-frames';
import { ReplaySource } from './replay-source';

/** `geometry`: the live model's input, for a source that scales to it (ffmpeg's raw frames). */
export async function createFrameSource(config: SourceConfig, geometry: () => RawGeometry | null = () => null): Promise<FrameSource> {
  switch (config.kind) {
    case 'replay':
      return ReplaySource.open({
        dir: config.dir,
        files: config.files,
        fps: config.fps,
        loop: config.loop,
        limit: config.limit,
        maxFrameBytes: config.maxFrameBytes,
      });
    case 'hot-folder':
      return new HotFolderSource({ ...config, processedDir: config.processedDir ?? `${config.dir}/processed` });
    case 'mjpeg':
      return new MjpegSource(config);
    case 'ffmpeg':
      return new FfmpegSource(config, geometry);
  }
}
