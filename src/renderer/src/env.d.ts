/// <reference types="vite/client" />
import type { LineSightApi } from '../../shared/contract';

declare global {
  interface Window {
    /** Present in the Electron window (the preload's typed API); absent in a browser. */
    readonly api?: LineSightApi;
  }
}
