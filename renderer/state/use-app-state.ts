import { createContext, useContext, useSyncExternalStore } from 'react';
import type { AppState } from './app-state.js';
import type { Controller } from './controller.js';
import type { Store } from './store.js';

/** React's view of the store and the controller, provided once at the root. */

export const StoreContext = createContext<Store | null>(null);
export const ControllerContext = createContext<Controller | null>(null);

function required<T>(value: T | null, name: string): T {
  if (value === null) throw new Error(`${name} is missing: render inside <AppProviders>`);
  return value;
}

/** Subscribes to one slice; the selector must return a stable value (a state field or primitive). */
export function useAppState<T>(select: (state: AppState) => T): T {
  const store = required(useContext(StoreContext), 'StoreContext');
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}

export function useController(): Controller {
  return required(useContext(ControllerContext), 'ControllerContext');
}
