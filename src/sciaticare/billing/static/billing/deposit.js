// Paying a deposit (billing/views/deposit.py). Stripe.js's Card Element takes the card in the
// browser and sends it to Stripe: our form carries only the confirmed set-up's id. The bank's
// check (3-D Secure) is Stripe.js's confirmCardPayment; the page then asks our server for the
// outcome. Without Stripe.js loaded, nothing here runs and the page says so. The words shown
// are the page's, in its language (data-* attributes: docs/i18n.md); Stripe.js's own checks of
// the card's fields follow the page's language too.
(function () {
  "use strict";
  if (typeof window.Stripe !== "function") return;

  // Our own words for what went wrong, not the processor's: only Stripe.js's checks of the
  // fields themselves ("Your card number is incomplete.") are shown as they come.
  function plainWords(error, words) {
    if (error.type === "validation_error" && error.message) return error.message;
    if (error.code === "card_declined") return words.declined;
    return words.notConfirmed;
  }
  const locale = document.documentElement.lang || "auto";

  const cardForm = document.getElementById("card-form");
  if (cardForm) {
    const stripe = window.Stripe(cardForm.dataset.publishableKey);
    const words = cardForm.dataset;
    const card = stripe.elements({ locale: locale }).create("card");
    card.mount("#card-element");
    const status = document.getElementById("card-status");
    const button = document.getElementById("card-pay");
    cardForm.addEventListener("submit", async function (event) {
      event.preventDefault();
      button.disabled = true;
      status.textContent = words.checking;
      const result = await stripe.confirmCardSetup(cardForm.dataset.setupSecret, {
        payment_method: { card: card },
      });
      if (result.error) {
        status.textContent = plainWords(result.error, words) + " " + words.tryAgain;
        button.disabled = false;
        return;
      }
      status.textContent = words.paying;
      cardForm.elements.setup_intent.value = result.setupIntent.id;
      cardForm.submit();
    });
  }

  const bankCheck = document.getElementById("bank-check");
  if (bankCheck) {
    const stripe = window.Stripe(bankCheck.dataset.publishableKey);
    const status = document.getElementById("bank-status");
    bankCheck.addEventListener("submit", async function (event) {
      event.preventDefault();
      status.textContent = bankCheck.dataset.waiting;
      await stripe.confirmCardPayment(bankCheck.dataset.paymentSecret);
      // Whatever the bank answered, our server reads the outcome from Stripe.
      bankCheck.submit();
    });
  }
})();
