/**
 * A two-tone beep when an alarm is raised, for an operator who is not
 * looking at the screen. Browsers allow sound only after the person has
 * touched the page, so the audio starts on the first touch; the bell in the
 * top bar mutes it (on this screen only).
 */
import { useEffect, useRef, useState } from 'react';
import type { LineSightApi } from '../../../shared/contract';

export function useAlarmSound(api: LineSightApi): { on: boolean; toggle: () => void } {
  const [on, setOn] = useState(true);
  const audio = useRef<AudioContext | null>(null);
  const enabled = useRef(on);
  useEffect(() => {
    enabled.current = on;
  }, [on]);

  useEffect(() => {
    const unlock = (): void => {
      if (audio.current || typeof AudioContext === 'undefined') return;
      audio.current = new AudioContext();
    };
    document.addEventListener('pointerdown', unlock, { once: true });
    const off = api.on('alarm', (change) => {
      const ctx = audio.current;
      if (!ctx || !enabled.current || change.change !== 'raised' || change.alarm.severity !== 'alarm') return;
      for (const [i, hz] of [880, 660].entries()) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        gain.gain.value = 0.2;
        osc.frequency.value = hz;
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + i * 0.25);
        osc.stop(ctx.currentTime + i * 0.25 + 0.22);
      }
    });
    return () => {
      off();
      document.removeEventListener('pointerdown', unlock);
    };
  }, [api]);

  return { on, toggle: () => setOn((v) => !v) };
}
