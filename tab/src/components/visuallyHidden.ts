import type { GriffelStyle } from '@fluentui/react-components';

/** Read by screen readers, not shown: a style for text that says what a badge or chart shows. */
export const visuallyHidden: GriffelStyle = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  margin: '-1px',
  padding: 0,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
};
