// A form that comes back refused puts the keyboard where the correction is: on the first field
// marked invalid, else on the form's own message. Pages that choose their own autofocus keep
// it (the symptom check). Found by an outside test: focus stayed at the top of the page, far
// from the error, on sign-up, sign-in, the intake and booking first.
document.addEventListener("DOMContentLoaded", () => {
  if (document.querySelector("[autofocus]")) {
    return;
  }
  const field = document.querySelector('main form [aria-invalid="true"]');
  if (field) {
    field.focus();
    return;
  }
  const message = document.querySelector(
    "main .errorlist.nonfield, main .field-error[role=alert], main [data-form-error]",
  );
  if (message) {
    message.setAttribute("tabindex", "-1");
    message.focus();
  }
});
