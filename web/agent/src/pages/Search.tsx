// Search across tickets, messages and contacts; matches come back marked
// with <mark> and are rendered as text plus highlights, nothing else.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { t, type MessageKey } from "../i18n";
import { navigate } from "../router";
import type { SearchHit, SearchResults } from "../types";
import { Empty, Snippet, Spinner, errorText } from "../ui/common";
import { Icon } from "../ui/icons";

export function SearchPage({ initial }: { initial: string }) {
  const [q, setQ] = useState(initial);
  const [results, setResults] = useState<SearchResults | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState("");
  const seq = useRef(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  useEffect(() => {
    const text = q.trim();
    history.replaceState(null, "", text ? "/search?q=" + encodeURIComponent(text) : "/search");
    if (!text) {
      setResults(null);
      return;
    }
    const n = ++seq.current;
    const id = setTimeout(async () => {
      setLoading(true);
      setError("");
      try {
        const r = await api.search(text);
        if (n === seq.current) setResults(r);
      } catch (e) {
        if (n === seq.current) setError(errorText(e));
      } finally {
        if (n === seq.current) setLoading(false);
      }
    }, 180);
    return () => clearTimeout(id);
  }, [q]);
  const total = results ? (results.conversations?.length ?? 0) + (results.messages?.length ?? 0) + (results.contacts?.length ?? 0) : 0;
  return (
    <div class="page search-page">
      <header class="page-head">
        <h1>{t("nav.search")}</h1>
        <div class="search-box big">
          <Icon name="search" size={18} />
          <input id="search-input" ref={input} type="search" value={q} placeholder={t("search.placeholder")} aria-label={t("search.placeholder")}
            onInput={(e) => setQ(e.currentTarget.value)} />
          {loading && <Spinner />}
        </div>
      </header>
      {error && <p class="form-error" role="alert">{error}</p>}
      {results && total === 0 && !loading && <Empty icon="search" title={t("search.none", { q })} />}
      {!results && !loading && <Empty icon="search" title={t("search.hint")} hint={t("search.hintMore")} />}
      {results && total > 0 && (
        <div class="results">
          <ResultGroup title="search.conversations" hits={results.conversations} go={(h) => `/inbox/all/${h.conversation_id}`} />
          <ResultGroup title="search.messages" hits={results.messages} go={(h) => `/inbox/all/${h.conversation_id}` + (h.message_id ? `?m=${h.message_id}` : "")} />
          <ResultGroup title="search.contacts" hits={results.contacts} go={(h) => `/contacts/${h.contact_id}`} />
        </div>
      )}
    </div>
  );
}

function ResultGroup({ title, hits, go }: { title: MessageKey; hits: SearchHit[] | null; go: (h: SearchHit) => string }) {
  if (!hits?.length) return null;
  return (
    <section class="result-group">
      <h2>{t(title)} <span class="count-badge">{hits.length}</span></h2>
      <ul>
        {hits.map((h) => (
          <li>
            <a class="result" href={go(h)} onClick={(e) => { e.preventDefault(); navigate(go(h)); }}>
              <span class="result-title">{h.number ? <span class="conv-number">#{h.number}</span> : null}<Snippet html={h.title} /></span>
              {h.snippet && <span class="result-snippet"><Snippet html={h.snippet} /></span>}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
