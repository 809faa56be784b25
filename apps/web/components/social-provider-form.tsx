"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import {
  nativeClientIdsSchema,
  providerClientIdSchema,
  providerClientSecretSchema,
  providerScopesSchema,
  type SocialProviderConfig,
  type SocialProviderName,
} from "@gatehouse/contract";
import { defaultScopesText, isDefaultScopes, socialProviderWords, splitList } from "../lib/social-providers";
import { useTRPC } from "../lib/trpc";
import { problemOf } from "../lib/validation";
import { ConfirmDialog } from "./confirm-dialog";
import { CopyField } from "./copy-field";
import { CheckboxField, FormError, SubmitButton, TextField } from "./form";
import { Badge, Notice } from "./ui";
import { useFormErrors, useFormFields } from "./use-form-errors";

interface Values {
  clientId: string;
  /** Always starts empty: the stored secret is never sent to the browser. */
  clientSecret: string;
  nativeClientIds: string;
  scopes: string;
  enabled: boolean;
}

function valuesOf(provider: SocialProviderName, current: SocialProviderConfig | undefined): Values {
  if (!current) return { clientId: "", clientSecret: "", nativeClientIds: "", scopes: "", enabled: true };
  return {
    clientId: current.clientId,
    clientSecret: "",
    nativeClientIds: current.nativeClientIds.join(" "),
    // The default is the placeholder: an empty field keeps following it.
    scopes: isDefaultScopes(provider, current.scopes) ? "" : current.scopes.join(" "),
    enabled: current.enabled,
  };
}

/**
 * One provider's settings for a tenant (CONTRACT v2 `backOffice.socialProviders.set/remove`),
 * admins only. The client secret is write-only: the field never holds the stored one, and
 * leaving it empty keeps it.
 */
export function SocialProviderForm({
  tenantKey,
  provider,
  current,
  callbackUrl,
}: {
  tenantKey: string;
  provider: SocialProviderName;
  current: SocialProviderConfig | undefined;
  callbackUrl: string;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const words = socialProviderWords[provider];
  const [stored, setStored] = useState(current);
  const [savedMessage, setSavedMessage] = useState<string | null>(null);
  const { values, setValues, set, field, formError, fieldErrors, showError, showFieldErrors, clearErrors } = useFormFields(
    valuesOf(provider, current),
    () => setSavedMessage(null),
  );
  const removal = useFormErrors();
  const [confirming, setConfirming] = useState(false);
  const save = useMutation(trpc.backOffice.socialProviders.set.mutationOptions());
  const remove = useMutation(trpc.backOffice.socialProviders.remove.mutationOptions());

  function checkFields(): Record<string, string> {
    const errors: Record<string, string> = {};
    const clientId = problemOf(providerClientIdSchema, values.clientId);
    if (clientId) errors.clientId = clientId;
    if (values.clientSecret !== "") {
      const secret = problemOf(providerClientSecretSchema, values.clientSecret);
      if (secret) errors.clientSecret = secret;
    }
    const nativeIds = problemOf(nativeClientIdsSchema, splitList(values.nativeClientIds));
    if (nativeIds) errors.nativeClientIds = nativeIds;
    const scopes = problemOf(providerScopesSchema, splitList(values.scopes));
    if (scopes) errors.scopes = scopes;
    return errors;
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clearErrors();
    setSavedMessage(null);
    const errors = checkFields();
    if (Object.keys(errors).length > 0) {
      showFieldErrors(errors);
      return;
    }
    try {
      const saved = await save.mutateAsync({
        tenantKey,
        provider,
        clientId: values.clientId,
        nativeClientIds: splitList(values.nativeClientIds),
        scopes: splitList(values.scopes),
        enabled: values.enabled,
        ...(values.clientSecret.trim() !== "" ? { clientSecret: values.clientSecret } : {}),
      });
      setStored(saved);
      setValues(valuesOf(provider, saved));
      setSavedMessage(`${words.name} settings saved.`);
      router.refresh();
    } catch (error) {
      showError(error);
    }
  }

  async function confirmRemove() {
    removal.clearErrors();
    try {
      await remove.mutateAsync({ tenantKey, provider });
      setConfirming(false);
      setStored(undefined);
      setValues(valuesOf(provider, undefined));
      setSavedMessage(`${words.name} settings removed. Users can no longer sign in with ${words.name} until it is set up again.`);
      router.refresh();
    } catch (error) {
      removal.showError(error);
    }
  }

  const secretPlaceholder = stored?.hasClientSecret ? "Stored — leave empty to keep" : "None stored";
  return (
    <form onSubmit={onSubmit} noValidate className="form social-provider" aria-labelledby={`social-${provider}`}>
      <div className="social-provider-header">
        <h3 id={`social-${provider}`}>{words.name}</h3>
        <span className="social-provider-status">
          {stored ? stored.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge> : <Badge>Not set up</Badge>}
          {stored?.hasClientSecret ? <Badge tone="info">Secret stored</Badge> : null}
        </span>
      </div>
      <FormError message={formError} />
      {savedMessage ? <Notice tone="success">{savedMessage}</Notice> : null}
      <CopyField
        label="Callback URL"
        value={callbackUrl}
        hint={`Register this as the redirect (callback) URL in ${words.console}. It is the same for every tenant.`}
      />
      <div className="form-grid">
        <TextField
          label={words.clientIdLabel}
          {...field("clientId")}
          hint={words.clientIdHint}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          className="mono-input"
        />
        <TextField
          label="Client secret"
          type="password"
          {...field("clientSecret")}
          placeholder={secretPlaceholder}
          hint={
            stored?.hasClientSecret
              ? "A secret is stored. It is never shown again; type a new one only to replace it."
              : provider === "kakao"
                ? "Only if the Kakao app has client secrets switched on (Security → Client Secret)."
                : "Stored encrypted and never shown again."
          }
          autoComplete="new-password"
          spellCheck={false}
        />
        {provider === "naver" ? null : (
          <TextField
            label="Native app client IDs (optional)"
            {...field("nativeClientIds")}
            hint={words.nativeHint}
            autoComplete="off"
            autoCapitalize="off"
            spellCheck={false}
            className="mono-input"
          />
        )}
        <TextField
          label="Scopes (optional)"
          {...field("scopes")}
          placeholder={defaultScopesText(provider)}
          hint={
            provider === "kakao" ? (
              <>
                Leave empty for the default ({defaultScopesText(provider)}). Add <span className="mono">account_email</span> only for a
                Kakao business app: Kakao refuses it for other apps (KOE205), and sign-in fails.
              </>
            ) : (
              `Separate scopes with spaces. Leave empty for the default (${defaultScopesText(provider)}).`
            )
          }
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          className="mono-input"
        />
      </div>
      <CheckboxField
        asSwitch
        label={`Sign-in with ${words.name} enabled`}
        hint="When off, the settings are kept but users cannot sign in with this provider."
        checked={values.enabled}
        onChange={(checked) => set("enabled", checked)}
      />
      {fieldErrors.enabled ? <Notice tone="error">{fieldErrors.enabled}</Notice> : null}
      <div className="form-actions">
        <SubmitButton pending={save.isPending}>{`Save ${words.name}`}</SubmitButton>
        {stored ? (
          <button
            type="button"
            className="btn btn-secondary"
            onClick={() => {
              removal.clearErrors();
              setConfirming(true);
            }}
          >
            {`Remove ${words.name}`}
          </button>
        ) : null}
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Remove ${words.name} sign-in?`}
        confirmLabel={`Remove ${words.name}`}
        pending={remove.isPending}
        error={removal.formError}
        onConfirm={() => void confirmRemove()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          The client ID and the stored secret are deleted and users can no longer sign in with {words.name}. Accounts already linked keep
          their link and can sign in again once it is set up anew.
        </p>
      </ConfirmDialog>
    </form>
  );
}
