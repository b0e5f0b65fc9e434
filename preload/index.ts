import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL_NAMES, HOST_API_GLOBAL, INVOKE_CHANNEL_NAMES } from '../common/contract/channels.js';
import { createHostApi } from './host-api.js';

/**
 * The only thing the sandboxed preload does: expose `window.clearline` (HostApi) to the page.
 * No ipcRenderer, no Node, no channel the contract does not name.
 */
contextBridge.exposeInMainWorld(
  HOST_API_GLOBAL,
  createHostApi({
    invokeChannels: INVOKE_CHANNEL_NAMES,
    eventChannels: EVENT_CHANNEL_NAMES,
    invoke: (channel, request) => ipcRenderer.invoke(channel, request),
    subscribe: (channel, deliver) => {
      // Hand the page the payload only — never the IpcRendererEvent (it carries `sender`).
      const listener = (_event: IpcRendererEvent, payload: unknown) => deliver(payload);
      ipcRenderer.on(channel, listener);
      return () => void ipcRenderer.removeListener(channel, listener);
    },
  }),
);
