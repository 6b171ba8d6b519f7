/** Actions on my devices: microphone, camera, screen share, speaker, low-data mode. */

import { t } from "../i18n.js";

/** @param {import('./context.js').ActionContext} ctx @returns {import('./context.js').Handlers} */
export function deviceActions({ state, inRoom, canUseDevices, media, params, ui, notify, startDevices }) {
  return {
    "toggle-mic": ({ on }) => canUseDevices() && media.setAudio(on ?? !media.audioOn),
    "toggle-camera": ({ on }) => canUseDevices() && params.cameraAccess && media.setVideo(on ?? !media.videoOn),
    "toggle-screenshare": async ({ on }) => {
      if (!inRoom() || state().me?.role === "viewer") return;
      const want = on ?? !media.screen;
      if (!want) return media.stopScreen();
      if (!(await media.startScreen()) && media.canShareScreen) notify({ text: t("toast.screenFailed"), key: "screen" });
    },
    "choose-device": ({ kind, deviceId }) => media.chooseDevice(kind, deviceId),
    // devices before the first prompt (the permission step), speaker, low-data mode
    "allow-devices": () => startDevices(),
    "choose-speaker": ({ sinkId }) => ui.dispatch({ type: "ui/sink", sinkId }),
    "set-low-data": async ({ on }) => {
      ui.dispatch({ type: "ui/low-data", on });
      await media.setLowData(ui.getState().lowData);
    },
  };
}
