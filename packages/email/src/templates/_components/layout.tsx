import type { ReactNode } from "react";
import { Body, Container, Head, Html, Preview, Section, Text } from "@react-email/components";
import type { Locale } from "../../locale";
import { styles } from "./theme";

export interface EmailLayoutProps {
  locale: Locale;
  /** Document title (the subject), read by screen readers and shown by some web clients. */
  title: string;
  /** Preheader: the line mail clients show next to the subject. Not part of the text body. */
  preview: string;
  /** Shown above the card, as the sender's wordmark. */
  brand: string;
  /** Small print under the card. */
  footer: ReactNode;
  children: ReactNode;
}

/** The frame shared by every Gatehouse mail: wordmark, white card, small print. */
export function EmailLayout({ locale, title, preview, brand, footer, children }: EmailLayoutProps) {
  return (
    <Html lang={locale} dir="ltr">
      <Head>
        <title>{title}</title>
        <meta name="color-scheme" content="light" />
        <meta name="supported-color-schemes" content="light" />
        <meta name="format-detection" content="telephone=no, date=no, address=no, email=no" />
      </Head>
      <Preview>{preview}</Preview>
      <Body style={styles.body}>
        <Container style={styles.container}>
          <Section style={styles.brandSection}>
            <Text style={styles.brand}>{brand}</Text>
          </Section>
          <Section style={styles.card}>{children}</Section>
          <Section style={styles.footerSection}>
            <Text style={styles.footer}>{footer}</Text>
          </Section>
        </Container>
      </Body>
    </Html>
  );
}
