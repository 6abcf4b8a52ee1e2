// Tags: names and colours, with how many tickets carry each.
import { useEffect, useState } from "preact/hooks";
import { api, itemsOf } from "../../api";
import { t } from "../../i18n";
import { tagsStore, useStore } from "../../store";
import { Empty, Field, attempt } from "../../ui/common";
import { Icon } from "../../ui/icons";

const tagColors = ["#4f46e5", "#0f9aa8", "#2b8a3e", "#e67700", "#c2255c", "#6b6f80"];

export function Tags() {
  const tags = useStore(tagsStore);
  const [name, setName] = useState("");
  const [color, setColor] = useState(tagColors[0]);
  useEffect(() => {
    api.tags().then((r) => tagsStore.set(itemsOf(r)), () => {});
  }, []);
  const add = async (e: Event) => {
    e.preventDefault();
    const tag = await attempt(() => api.createTag({ name: name.trim(), color }));
    if (tag) {
      tagsStore.set((ts) => [...ts.filter((x) => x.name !== tag.name), tag].sort((a, b) => a.name.localeCompare(b.name)));
      setName("");
    }
  };
  const remove = async (n: string) => {
    if (!confirm(t("tags.confirmDelete", { name: n }))) return;
    const ok = await attempt(() => api.deleteTag(n).then(() => true));
    if (ok) tagsStore.set((ts) => ts.filter((x) => x.name !== n));
  };
  return (
    <section class="admin-section">
      <form class="inline-form" onSubmit={add}>
        <Field label={t("tags.name")}><input required value={name} onInput={(e) => setName(e.currentTarget.value)} /></Field>
        <fieldset class="swatches">
          <legend class="field-label">{t("tags.color")}</legend>
          {tagColors.map((c) => (
            <label class={"swatch" + (c === color ? " on" : "")} style={{ background: c }}>
              <input type="radio" name="tag-color" class="sr-only" checked={c === color} onChange={() => setColor(c)} aria-label={c} />
            </label>
          ))}
        </fieldset>
        <button type="submit" class="btn primary"><Icon name="plus" />{t("tags.create")}</button>
      </form>
      {tags.length === 0 ? <Empty icon="tag" title={t("tags.none")} /> : (
        <table class="table">
          <thead><tr><th>{t("tags.name")}</th><th>{t("tags.count")}</th><th><span class="sr-only">{t("common.actions")}</span></th></tr></thead>
          <tbody>
            {tags.map((x) => (
              <tr>
                <td><span class="tag" style={x.color ? { borderColor: x.color, color: x.color } : undefined}>{x.name}</span></td>
                <td>{x.count}</td>
                <td class="right">{!x.name.startsWith("channel:") && <button type="button" class="btn small danger" onClick={() => remove(x.name)}>{t("common.delete")}</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
