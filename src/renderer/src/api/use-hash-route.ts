/** The page shown, kept in the address's #fragment so a reload or a bookmark returns to it; the tabs are plain links. */
import { useEffect, useState } from 'react';

export function useHashRoute<T extends string>(routes: readonly T[], fallback: T, win: Window = window): T {
  const [route, setRoute] = useState<T>(() => routeOf(win, routes, fallback));
  useEffect(() => {
    const onChange = (): void => setRoute(routeOf(win, routes, fallback));
    win.addEventListener('hashchange', onChange);
    return () => win.removeEventListener('hashchange', onChange);
  }, [win, routes, fallback]);
  return route;
}

function routeOf<T extends string>(win: Window, routes: readonly T[], fallback: T): T {
  const name = win.location.hash.replace(/^#\/?/, '');
  return (routes as readonly string[]).includes(name) ? (name as T) : fallback;
}
