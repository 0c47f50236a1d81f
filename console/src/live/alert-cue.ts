// The cue for a new high-severity alert: a short two-tone beep (Web Audio, no sound file to
// ship) and a flash of the page. Browsers only allow audio after a user gesture, so the
// operator turns sound on with a click, which also unlocks the AudioContext.
let context: AudioContext | undefined;

export function enableSound(): boolean {
  try {
    context ??= new AudioContext();
    void context.resume();
    return true;
  } catch {
    return false;
  }
}

export function beep(): void {
  if (context?.state !== 'running') return;
  const now = context.currentTime;
  // 880 Hz then 660 Hz, 150 ms each: distinct from phone and radio tones in a control room.
  [880, 660].forEach((freq, i) => {
    const osc = context!.createOscillator();
    const gain = context!.createGain();
    osc.frequency.value = freq;
    osc.type = 'square';
    gain.gain.setValueAtTime(0.0001, now + i * 0.18);
    gain.gain.exponentialRampToValueAtTime(0.15, now + i * 0.18 + 0.01);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.18 + 0.15);
    osc.connect(gain).connect(context!.destination);
    osc.start(now + i * 0.18);
    osc.stop(now + i * 0.18 + 0.16);
  });
}

export function flash(): void {
  document.body.classList.remove('cue-flash');
  // Reflow so the animation restarts when two alerts come close together.
  void document.body.offsetWidth;
  document.body.classList.add('cue-flash');
  setTimeout(() => document.body.classList.remove('cue-flash'), 1600);
}
