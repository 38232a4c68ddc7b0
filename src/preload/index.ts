/** Preload (sandboxed): exposes the typed API as window.api, nothing more. */
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api';

contextBridge.exposeInMainWorld('api', createPreloadApi(ipcRenderer));
