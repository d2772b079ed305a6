declare const __FCS_PACKAGE_VERSION__: string;

/** package.json's `version`, written in by the build; the User-Agent carries it. */
export const VERSION: string = __FCS_PACKAGE_VERSION__;
