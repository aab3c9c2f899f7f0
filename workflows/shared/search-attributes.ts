import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes that make each call run findable in the Temporal UI.
 * Safe to import from workflow code (no Node built-ins).
 * On a cluster, register them once with:
 *   temporal operator search-attribute create --namespace <ns> --name DialpadCallId --type Keyword (etc.)
 */
export const DialpadCallId = defineSearchAttributeKey('DialpadCallId', SearchAttributeType.KEYWORD);
export const DialpadOfficeId = defineSearchAttributeKey('DialpadOfficeId', SearchAttributeType.KEYWORD);
export const NavigatorAccountId = defineSearchAttributeKey('NavigatorAccountId', SearchAttributeType.KEYWORD);
export const CallState = defineSearchAttributeKey('CallState', SearchAttributeType.KEYWORD);

/** name → CLI type name, for `temporal server start-dev --search-attribute` and the operator CLI. */
export const CUSTOM_SEARCH_ATTRIBUTES: Record<string, 'Keyword'> = {
  DialpadCallId: 'Keyword',
  DialpadOfficeId: 'Keyword',
  NavigatorAccountId: 'Keyword',
  CallState: 'Keyword',
};
