/**
 * A microphone level meter: calls `onLevel(0…1)` about 20 times a second while the track lives.
 * Returns a function that stops it. No DOM.
 * @param {MediaStreamTrack} track @param {(level: number) => void} onLevel
 */
export function watchLevel(track, onLevel) {
  const context = new AudioContext();
  const source = context.createMediaStreamSource(new MediaStream([track]));
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  source.connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  // Browsers start an AudioContext suspended until the user does something on the page.
  const resume = () => context.resume().catch(() => {});
  resume();
  addEventListener("pointerdown", resume, { once: true });
  addEventListener("keydown", resume, { once: true });
  const timer = setInterval(() => {
    if (track.readyState === "ended") return;
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const s of samples) sum += s * s;
    const rms = Math.sqrt(sum / samples.length);
    onLevel(track.enabled ? Math.min(1, rms * 4) : 0);
  }, 50);
  return () => {
    clearInterval(timer);
    removeEventListener("pointerdown", resume);
    removeEventListener("keydown", resume);
    source.disconnect();
    context.close().catch(() => {});
  };
}
