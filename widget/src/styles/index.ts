import { css } from 'lit';
import { host } from './host.ts';
import { panel } from './panel.ts';
import { messages } from './messages.ts';
import { tools } from './tools.ts';
import { markdown } from './markdown.ts';
import { composer } from './composer.ts';
import { launcher } from './launcher.ts';

/** The element's styles, region by region, in cascade order (later regions adjust earlier ones). */
export const styles = css`
  ${host}${panel}${messages}${tools}${markdown}${composer}${launcher}
`;
