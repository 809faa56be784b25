"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import {
  APP_URL_MAX_LENGTH,
  TENANT_KEY_MAX_LENGTH,
  TENANT_NAME_MAX_LENGTH,
  tenantKeySchema,
  tenantNameSchema,
  type Locale,
} from "@gatehouse/contract";
import { signInMethodLabels, signInMethodNames, type SignInMethods } from "../lib/sign-in-methods";
import { useTRPC } from "../lib/trpc";
import { messageForAppCode } from "../lib/error-messages";
import { appUrlProblem, check, problemOf } from "../lib/validation";
import { CountryChips } from "./country-chips";
import { DomainChips } from "./domain-chips";
import { CheckboxField, FormError, SelectField, SubmitButton, TextField } from "./form";
import { Notice } from "./ui";
import { useFormFields } from "./use-form-errors";

export interface TenantFormValues {
  key: string;
  name: string;
  locale: Locale;
  appUrl: string;
  allowedEmailDomains: string[];
  /** CONTRACT v2: countries whose phone numbers the tenant accepts, the first for national numbers. */
  phoneCountries: string[];
}

const localeOptions = [
  { value: "ko", label: "Korean (ko)" },
  { value: "en", label: "English (en)" },
];

/** Create a tenant, or edit one's name, locale, app URL, allowed email domains and phone countries. */
export function TenantForm({ mode, initial }: { mode: "create" | "edit"; initial?: TenantFormValues }) {
  const trpc = useTRPC();
  const router = useRouter();
  const start: TenantFormValues = initial ?? {
    key: "",
    name: "",
    locale: "ko",
    appUrl: "",
    allowedEmailDomains: [],
    phoneCountries: ["KR"],
  };
  const [saved, setSaved] = useState<TenantFormValues>(start);
  const [savedMessage, setSavedMessage] = useState<string | null>(null);
  const [domainDraft, setDomainDraft] = useState("");
  const [countryDraft, setCountryDraft] = useState("");
  // Create only: an existing tenant's methods have their own card (SignInMethodsForm).
  const [methods, setMethods] = useState<SignInMethods>({ passwordSignUp: true, emailCodeSignIn: false });
  const queryClient = useQueryClient();
  const { values, setValues, set, field, formError, fieldErrors, showError, showFieldErrors, clearErrors, setFieldError } = useFormFields(
    start,
    () => setSavedMessage(null),
  );

  const create = useMutation(trpc.backOffice.tenants.create.mutationOptions());
  const update = useMutation(trpc.backOffice.tenants.update.mutationOptions());
  const pending = create.isPending || update.isPending;

  /** The form's own checks, all at once: a draft domain not yet added is one error among the others. */
  function checkFields(): Record<string, string> {
    const errors: Record<string, string> = {};
    const keyError = mode === "create" ? problemOf(tenantKeySchema, values.key) : undefined;
    if (keyError) errors.key = keyError;
    const nameError = problemOf(tenantNameSchema, values.name);
    if (nameError) errors.name = nameError;
    const appUrl = appUrlProblem(values.appUrl);
    if (appUrl) errors.appUrl = appUrl;
    if (domainDraft.trim() !== "") {
      errors.allowedEmailDomains = `“${domainDraft.trim()}” has not been added yet: press Add domain, or clear the field.`;
    }
    if (countryDraft.trim() !== "") {
      errors.phoneCountries = `“${countryDraft.trim()}” has not been added yet: press Add country, or clear the field.`;
    }
    return errors;
  }

  /** Whether a tenant (deleted ones too) already has this key, so "taken" joins the other errors. */
  async function keyTaken(key: string): Promise<boolean> {
    try {
      await queryClient.fetchQuery({ ...trpc.backOffice.tenants.get.queryOptions({ key }), retry: false, staleTime: 0 });
      return true;
    } catch {
      // Not found, or not answerable now: the API's own check on create still decides.
      return false;
    }
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    clearErrors();
    setSavedMessage(null);
    const errors = checkFields();
    if (mode === "create") {
      const key = check(tenantKeySchema, values.key);
      if (!key.ok || Object.keys(errors).length > 0) {
        if (key.ok && (await keyTaken(key.value))) errors.key = messageForAppCode("tenant/KeyDuplicated");
        showFieldErrors(errors);
        return;
      }
      try {
        const tenant = await create.mutateAsync({
          key: key.value,
          name: values.name,
          locale: values.locale,
          allowedEmailDomains: values.allowedEmailDomains,
          phoneCountries: values.phoneCountries,
          ...methods,
          ...(values.appUrl.trim() ? { appUrl: values.appUrl.trim() } : {}),
        });
        router.push(`/backoffice/tenants/${tenant.key}?created=1`);
      } catch (error) {
        showError(error, { "tenant/KeyDuplicated": "key" });
      }
      return;
    }
    if (Object.keys(errors).length > 0) {
      showFieldErrors(errors);
      return;
    }
    const changes: { name?: string; locale?: Locale; appUrl?: string; allowedEmailDomains?: string[]; phoneCountries?: string[] } = {};
    if (values.name !== saved.name) changes.name = values.name;
    if (values.locale !== saved.locale) changes.locale = values.locale;
    if (values.appUrl.trim() !== saved.appUrl) changes.appUrl = values.appUrl.trim();
    if (values.allowedEmailDomains.join(",") !== saved.allowedEmailDomains.join(","))
      changes.allowedEmailDomains = values.allowedEmailDomains;
    // Order matters here: the first country reads national numbers.
    if (values.phoneCountries.join(",") !== saved.phoneCountries.join(",")) changes.phoneCountries = values.phoneCountries;
    if (Object.keys(changes).length === 0) {
      setSavedMessage("Nothing to save: no field was changed.");
      return;
    }
    try {
      const tenant = await update.mutateAsync({ key: values.key, ...changes });
      const next: TenantFormValues = {
        key: tenant.key,
        name: tenant.name,
        locale: tenant.locale,
        appUrl: tenant.appUrl ?? "",
        allowedEmailDomains: tenant.allowedEmailDomains,
        phoneCountries: tenant.phoneCountries,
      };
      setValues(next);
      setSaved(next);
      setSavedMessage("Changes saved.");
      router.refresh();
    } catch (error) {
      showError(error);
    }
  }

  const domainError = Object.entries(fieldErrors).find(([field]) => field.startsWith("allowedEmailDomains"))?.[1];
  // The API names a bad entry by its index ("phoneCountries.1"): each shows beside its code.
  const countryEntryErrors: Record<number, string> = {};
  for (const [name, message] of Object.entries(fieldErrors)) {
    const entry = /^phoneCountries\.(\d+)$/.exec(name);
    if (entry && message) countryEntryErrors[Number(entry[1])] = message;
  }

  return (
    <form onSubmit={onSubmit} noValidate className="form">
      <FormError message={formError} />
      {savedMessage ? <Notice tone="success">{savedMessage}</Notice> : null}
      <div className="form-grid">
        <TextField
          label="Tenant key"
          {...field("key")}
          hint={
            mode === "create"
              ? "Product apps sign users in with this. 2-32 lower-case letters, digits or hyphens. It can never be changed or reused."
              : "The key cannot be changed."
          }
          readOnly={mode === "edit"}
          required
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          maxLength={TENANT_KEY_MAX_LENGTH}
          className="mono-input"
        />
        <TextField
          label="Name"
          {...field("name")}
          hint="Shown to staff and in emails to the tenant's users."
          required
          maxLength={TENANT_NAME_MAX_LENGTH}
          autoComplete="off"
        />
        <SelectField
          label="Email language"
          name="locale"
          value={values.locale}
          onChange={(value) => set("locale", value === "en" ? "en" : "ko")}
          options={localeOptions}
          error={fieldErrors.locale}
          hint="Language of verification and invitation emails."
        />
        <TextField
          label="App URL (optional)"
          type="url"
          {...field("appUrl")}
          hint="The product app's address, such as https://app.example.com. Used for links in emails and to allow the app's browser calls. Leave empty for none."
          placeholder="https://app.example.com"
          autoComplete="off"
          maxLength={APP_URL_MAX_LENGTH}
        />
      </div>
      <DomainChips
        domains={values.allowedEmailDomains}
        onChange={(domains) => set("allowedEmailDomains", domains)}
        error={domainError}
        draft={domainDraft}
        onDraftChange={(draft) => {
          setDomainDraft(draft);
          if (fieldErrors.allowedEmailDomains) setFieldError("allowedEmailDomains", undefined);
        }}
      />
      <CountryChips
        countries={values.phoneCountries}
        onChange={(countries) => set("phoneCountries", countries)}
        entryErrors={countryEntryErrors}
        listError={fieldErrors.phoneCountries}
        draft={countryDraft}
        onDraftChange={(draft) => {
          setCountryDraft(draft);
          if (fieldErrors.phoneCountries) setFieldError("phoneCountries", undefined);
        }}
      />
      {mode === "create" ? (
        <fieldset className="field">
          <legend>Sign-in methods</legend>
          {signInMethodNames.map((name) => (
            <CheckboxField
              key={name}
              asSwitch
              label={signInMethodLabels[name].label}
              hint={signInMethodLabels[name].hint}
              checked={methods[name]}
              onChange={(checked) => setMethods((current) => ({ ...current, [name]: checked }))}
            />
          ))}
        </fieldset>
      ) : null}
      <div className="form-actions">
        <SubmitButton pending={pending} pendingLabel={mode === "create" ? "Creating…" : "Saving…"}>
          {mode === "create" ? "Create tenant" : "Save changes"}
        </SubmitButton>
      </div>
    </form>
  );
}
