import { useState } from "react";
import { loadTheme, saveTheme, THEMES, type Theme } from "../../lib/theme";

const LABELS: Record<Theme, string> = {
  system: "System",
  light: "Light",
  dark: "Dark",
};

export function Appearance() {
  const [theme, setTheme] = useState<Theme>(loadTheme);
  return (
    <section aria-labelledby="appearance-heading" className="settings-card">
      <h2 id="appearance-heading">Appearance</h2>
      <fieldset className="theme-choice">
        <legend>Theme</legend>
        {THEMES.map((value) => (
          <label key={value}>
            <input
              type="radio"
              name="theme"
              value={value}
              checked={theme === value}
              onChange={() => {
                setTheme(value);
                saveTheme(value);
              }}
            />
            {LABELS[value]}
          </label>
        ))}
      </fieldset>
    </section>
  );
}
