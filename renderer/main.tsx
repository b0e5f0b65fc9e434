import './host/zod-jitless.js'; // must stay first: configures zod before any schema is used
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createPhone, probeEndpoint } from './calling/index.js';
import { App } from './components/App.js';
import { hostEndpointProber } from './host/host-endpoint-probe.js';
import { createHostLogWriter, scopedLogger } from './host/host-logger.js';
import { selectHost } from './host/select-host.js';
import { createController } from './state/controller.js';
import { browserProbes } from './network-test/browser-probes.js';
import { runPageNetworkTest } from './network-test/network-test.js';
import { audioProcessingFrom } from './state/page-options.js';
import { createStore } from './state/store.js';
import { ControllerContext, StoreContext } from './state/use-app-state.js';

/** Composition root of the renderer: host → logger → phone → store → controller → React. */

declare const __CLEARLINE_VERSION__: string;

const host = selectHost(window, __CLEARLINE_VERSION__);
const logWriter = createHostLogWriter(host);
const phone = createPhone({
  logger: logWriter,
  probe: hostEndpointProber(host, probeEndpoint, scopedLogger(logWriter, 'calling.probe').warn),
  media: { audioProcessing: audioProcessingFrom(window.location.search) },
});
const store = createStore();
const controller = createController({
  host,
  phone,
  store,
  mediaDevices: navigator.mediaDevices ?? null,
  timers: {
    setTimeout: (fn, ms) => window.setTimeout(fn, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
  },
  log: scopedLogger(logWriter, 'ui'),
  pageNetworkTest: (input, onProgress, runId) => runPageNetworkTest(input, browserProbes, onProgress, runId),
});

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');
createRoot(rootElement).render(
  <StrictMode>
    <StoreContext.Provider value={store}>
      <ControllerContext.Provider value={controller}>
        <App />
      </ControllerContext.Provider>
    </StoreContext.Provider>
  </StrictMode>,
);
void controller.start();
