// Test file for react-dangerously-set-inner-html.
export function ItemDescription({ html, text }: { html: string; text: string }) {
  // ruleid: react-dangerously-set-inner-html
  const unsafe = <div className="desc" dangerouslySetInnerHTML={{ __html: html }} />;
  // ok: react-dangerously-set-inner-html
  const safe = <p className="desc">{text}</p>;
  // ruleid: react-dangerously-set-inner-html
  const props = { dangerouslySetInnerHTML: { __html: html } };
  return (
    <section>
      {unsafe}
      {safe}
    </section>
  );
}
