"""Styling done once where Textual did it twice or more: a form's editors, the first screen."""


class StyledOnMount:
    """Mixed into a form's editors: no restyling before the widget is mounted.

    Textual restyles a widget and each of its component classes whenever one of its
    classes changes, mounted or not. `compact=True` and the classes a row gives its
    editor change classes while the form is being composed, so most editors were styled
    once or twice before Textual styled them for good as it mounted them: 24 of the 184
    stylesheet applications of opening a decision form, about 7% of its CPU. Until it
    has a parent nothing is shown: mounting styles it with every class it has by then."""

    def update_node_styles(self, animate: bool = True) -> None:
        if self._parent is not None:
            super().update_node_styles(animate)


class ResumesStyled:
    """Mixed into a screen: not restyled whole by its first ScreenResume when mounting
    styled it with everything it is drawn with.

    Textual sends a screen it pushes a ScreenResume, which restyles the screen and every
    widget in it, just after mounting styled each of them with the app's stylesheet and
    theme: 6 of the 11 ms of restyling an app start did (demo journal), and about a tenth
    of opening a form in the app. A screen's own CSS_PATH, though, is read into the
    stylesheet only as it is first pushed, after the screen was styled without it: then the
    resume is what styles it in (the forms' tests push forms in a bare App). So the first
    resume is left alone unless every file of CSS_PATH was read before the screen was made
    (the app reads the forms' CSS at start). Later resumes (back from a form, a theme or a
    language switched meanwhile) restyle as before."""

    _resumed_before = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            stylesheet = self.app.stylesheet
        except Exception:  # noqa: BLE001 -- made outside a running app: restyle as Textual does
            self._resumed_before = True
        else:
            self._resumed_before = not all(stylesheet.has_source(str(path), "") for path in self.css_path)

    def on_screen_resume(self, event) -> None:
        # Runs before Screen's own handler, which reads refresh_styles.
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False
