import { tokens } from '@fluentui/react-components';

/** The Switchboard mark: a speech bubble on the brand colour. Decorative; the name is always beside it. */
export function LogoMark({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="7" style={{ fill: tokens.colorBrandBackground }} />
      <path
        d="M9 9h14a3 3 0 0 1 3 3v7a3 3 0 0 1-3 3h-7l-5 4v-4H9a3 3 0 0 1-3-3v-7a3 3 0 0 1 3-3z"
        style={{ fill: tokens.colorNeutralForegroundOnBrand }}
      />
      {[12, 16, 20].map((cx) => (
        <circle key={cx} cx={cx} cy="15.5" r="1.6" style={{ fill: tokens.colorBrandBackground }} />
      ))}
    </svg>
  );
}
