import type { CSSProperties } from "react";

/**
 * System fonts only: nothing is downloaded when a mail is opened.
 * Korean faces are listed so Hangul renders with a matching weight everywhere.
 */
const fontFamily =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", sans-serif';

export const monoFontFamily = 'ui-monospace, SFMono-Regular, Menlo, Monaco, Consolas, "Liberation Mono", "Courier New", monospace';

/** Colours chosen for WCAG AA contrast on white (text ≥ 7:1, muted ≥ 4.5:1). */
export const colors = {
  page: "#f3f4f6",
  card: "#ffffff",
  border: "#e5e7eb",
  text: "#111827", // 17.7:1 on white
  body: "#1f2937", // 14.7:1
  muted: "#4b5563", // 7.6:1
  accent: "#1d4ed8", // 6.7:1 (white text on it: 6.7:1)
  codeBg: "#f3f4f6",
  noticeBg: "#fffbeb",
  noticeBorder: "#f59e0b",
  noticeText: "#78350f", // 9.5:1 on #fffbeb
} as const;

export const styles = {
  body: {
    backgroundColor: colors.page,
    margin: 0,
    padding: "32px 12px",
    fontFamily,
    color: colors.body,
    // Korean breaks between words, not inside them; long tokens (URLs) may still wrap.
    wordBreak: "keep-all",
    overflowWrap: "break-word",
  },
  container: {
    maxWidth: "560px",
    width: "100%",
    margin: "0 auto",
  },
  brandSection: {
    padding: "0 24px 16px",
  },
  brand: {
    margin: 0,
    fontSize: "18px",
    lineHeight: "24px",
    fontWeight: 700,
    color: colors.text,
  },
  card: {
    backgroundColor: colors.card,
    border: `1px solid ${colors.border}`,
    borderRadius: "12px",
    padding: "32px 32px 24px",
  },
  h1: {
    margin: "0 0 16px",
    fontSize: "22px",
    lineHeight: "30px",
    fontWeight: 700,
    color: colors.text,
  },
  paragraph: {
    margin: "0 0 16px",
    fontSize: "15px",
    lineHeight: "24px",
    color: colors.body,
  },
  small: {
    margin: "0 0 12px",
    fontSize: "13px",
    lineHeight: "20px",
    color: colors.muted,
  },
  hr: {
    borderColor: colors.border,
    borderTopWidth: "1px",
    margin: "24px 0 16px",
  },
  footerSection: {
    padding: "16px 24px 0",
  },
  footer: {
    margin: 0,
    fontSize: "12px",
    lineHeight: "18px",
    color: colors.muted,
  },
  button: {
    display: "inline-block",
    backgroundColor: colors.accent,
    color: "#ffffff",
    borderRadius: "8px",
    padding: "12px 20px",
    fontSize: "15px",
    lineHeight: "20px",
    fontWeight: 600,
    textDecoration: "none",
  },
} satisfies Record<string, CSSProperties>;
