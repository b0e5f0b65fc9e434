/**
 * Audio device lists for the Settings selects, from `navigator.mediaDevices.enumerateDevices()`.
 * Pure: takes the browser's list, returns options with readable labels.
 */

export interface DeviceOption {
  readonly id: string;
  readonly label: string;
}

export interface DeviceLists {
  readonly microphones: readonly DeviceOption[];
  readonly speakers: readonly DeviceOption[];
}

/** The subset of MediaDeviceInfo we read (so tests can pass plain objects). */
export interface DeviceInfoLike {
  readonly deviceId: string;
  readonly kind: string;
  readonly label: string;
}

export const SYSTEM_DEFAULT: DeviceOption = { id: 'default', label: 'System default' };

export const NO_DEVICES: DeviceLists = { microphones: [SYSTEM_DEFAULT], speakers: [SYSTEM_DEFAULT] };

function optionsOf(devices: readonly DeviceInfoLike[], kind: string, noun: string): DeviceOption[] {
  const options: DeviceOption[] = [SYSTEM_DEFAULT];
  const seen = new Set([SYSTEM_DEFAULT.id]);
  for (const device of devices) {
    // Chromium lists "default" and "communications" aliases itself; the first is our SYSTEM_DEFAULT,
    // and empty ids appear before the page has microphone permission: neither is selectable.
    if (device.kind !== kind || device.deviceId === '' || seen.has(device.deviceId)) continue;
    seen.add(device.deviceId);
    // Labels are empty until the page has had microphone permission once.
    options.push({ id: device.deviceId, label: device.label.trim() || `${noun} ${options.length}` });
  }
  return options;
}

export function toDeviceLists(devices: readonly DeviceInfoLike[]): DeviceLists {
  return {
    microphones: optionsOf(devices, 'audioinput', 'Microphone'),
    speakers: optionsOf(devices, 'audiooutput', 'Speaker'),
  };
}

/**
 * The options a select shows: the live list, plus the saved device marked as absent when it is
 * unplugged — so the choice is not silently lost and the agent sees why audio went elsewhere.
 */
export function optionsWithSaved(options: readonly DeviceOption[], savedId: string): readonly DeviceOption[] {
  if (options.some((o) => o.id === savedId)) return options;
  return [...options, { id: savedId, label: 'Saved device (not connected)' }];
}
