/**
 * How much the live page asks of the station: the newest frame's image at
 * most ten times a second (nobody reads more from two metres), and the strip
 * of the latest rejects refreshed once a second with up to eight. The page
 * keeps to these, and the clients bench (station.clients) asks exactly this.
 */
export const LIVE_VIEW = { frameFetchesPerS: 10, stripUpdateMs: 1000, strip: 8 } as const;
