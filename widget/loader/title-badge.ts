/**
 * "(2) Page title" while the tab is hidden and agent messages are unread; the page's own title comes
 * back when the tab is shown again, unless the page has changed its title meanwhile.
 */
export function titleBadge(): (unread: number) => void {
  let unread = 0;
  let pageTitle = '';
  let shown = '';
  const render = (): void => {
    if (shown && document.title === shown) document.title = pageTitle;
    shown = '';
    if (document.hidden && unread) {
      pageTitle = document.title;
      document.title = shown = `(${unread}) ${pageTitle}`;
    }
  };
  document.addEventListener('visibilitychange', render);
  return (count) => {
    unread = count;
    render();
  };
}
