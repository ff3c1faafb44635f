import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { DEFAULT_PASSWORD_LIMITS, type PasswordLimits } from "../lib/validation";
import { publicSettingsQuery } from "./useAuth";

/**
 * The password limits the API enforces, as it publishes them in
 * publicSettings; the usual defaults until it has answered (the API checks
 * again either way). Stable while the values are: schemas built from it are
 * memoised on it.
 */
export function usePasswordLimits(): PasswordLimits {
  const { data } = useQuery(publicSettingsQuery);
  const min = data?.passwordMinLength ?? DEFAULT_PASSWORD_LIMITS.min;
  const max = data?.passwordMaxLength ?? DEFAULT_PASSWORD_LIMITS.max;
  return useMemo(() => ({ min, max }), [min, max]);
}
